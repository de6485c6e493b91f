-- Search ignores punctuation: "phong chong bao luc" finds "phòng, chống bạo lực". bd_fold now
-- also turns every run of characters other than a-z and 0-9 (after folding) into one space and
-- trims the ends, so commas, dots, dashes and line breaks neither block nor make a match.
-- The folded columns are STORED generated columns, recomputed when a column they read is
-- written: setting one of those columns to itself refreshes the stored values (and their
-- trigram indexes). No trigger reacts to these updates (the attachment cascade fires on
-- deleted_at only); versions and updated_at are untouched.
CREATE OR REPLACE FUNCTION bd_fold(input text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(lower(translate(input,
    'ÀÁÂÃÄÅÈÉÊËÌÍÎÏÒÓÔÕÖÙÚÛÜÝàáâãäåèéêëìíîïòóôõöùúûüýÿĀāĂăĄąĒēĔĕĖėĘęĚěĨĩĪīĬĭĮįİŌōŎŏŐőŨũŪūŬŭŮůŰűŲųŶŷŸƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǪǫǬǭǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȔȕȖȗȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḔḕḖḗḘḙḚḛḜḝḬḭḮḯṌṍṎṏṐṑṒṓṲṳṴṵṶṷṸṹṺṻẎẏẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹđĐ',
    'AAAAAAEEEEIIIIOOOOOUUUUYaaaaaaeeeeiiiiooooouuuuyyAaAaAaEeEeEeEeEeIiIiIiIiIOoOoOoUuUuUuUuUuUuYyYOoUuAaIiOoUuUuUuUuUuAaAaOoOoAaAaAaEeEeIiIiOoOoUuUuAaEeOoOoOoOoYyAaEeEeEeEeEeIiIiOoOoOoOoUuUuUuUuUuYyyAaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYydD')), '[^a-z0-9]+', ' ', 'g'))
$$;

UPDATE units SET name = name;
UPDATE legal_documents SET number = number;
UPDATE plans SET title = title;
UPDATE campaigns SET name = name;
UPDATE trainings SET title = title;
UPDATE outreach_events SET title = title;
UPDATE petitions SET subject = subject;
UPDATE inspections SET subject_name = subject_name;
