//! Readable names of coded values (statuses, kinds, topics...), in English and Vietnamese:
//! reports break down by them and exports write them. The JSON API keeps the codes.

use crate::error::Lang;

const LABELS: &[(&str, &str, &str)] = &[
    // Plan statuses.
    ("draft", "Draft", "Dự thảo"),
    ("submitted", "Submitted", "Đã trình"),
    ("approved", "Approved", "Đã phê duyệt"),
    ("returned", "Returned", "Trả lại"),
    ("in_progress", "In progress", "Đang thực hiện"),
    ("completed", "Completed", "Hoàn thành"),
    ("cancelled", "Cancelled", "Đã hủy"),
    // Training audiences.
    ("officials", "Officials", "Cán bộ, công chức"),
    ("collaborators", "Collaborators", "Cộng tác viên"),
    ("committee_members", "Committee members", "Thành viên Ban VSTBPN"),
    ("media", "Media", "Cơ quan báo chí"),
    ("rapporteurs", "Rapporteurs", "Báo cáo viên"),
    (
        "grassroots_information_officers",
        "Grassroots information officers",
        "Tuyên truyền viên cơ sở",
    ),
    ("community", "Community", "Người dân"),
    // Outreach kinds.
    ("street_event", "Street event", "Sự kiện đường phố"),
    ("campaign", "Campaign", "Chiến dịch truyền thông"),
    ("exhibition", "Exhibition", "Triển lãm"),
    ("contest", "Contest", "Hội thi"),
    ("performance", "Performance", "Biểu diễn"),
    ("seminar", "Seminar", "Tọa đàm"),
    ("victim_visit", "Visit to victims", "Thăm hỏi, hỗ trợ nạn nhân"),
    ("broadcast", "Broadcast", "Phát thanh"),
    ("article", "Article", "Bài viết"),
    ("social_media", "Social media", "Mạng xã hội"),
    ("banner_poster", "Banners and posters", "Băng rôn, áp phích"),
    // Topics.
    ("gbv", "Gender-based violence", "Bạo lực trên cơ sở giới"),
    ("domestic_violence", "Domestic violence", "Bạo lực gia đình"),
    (
        "sex_selection_at_birth",
        "Sex selection at birth",
        "Lựa chọn giới tính thai nhi",
    ),
    (
        "marriage_to_foreigners",
        "Marriage to foreigners",
        "Kết hôn với người nước ngoài",
    ),
    ("women_in_leadership", "Women in leadership", "Phụ nữ tham chính"),
    (
        "women_entrepreneurship",
        "Women starting businesses",
        "Phụ nữ khởi nghiệp",
    ),
    (
        "gender_equality_law",
        "The Law on Gender Equality",
        "Luật Bình đẳng giới",
    ),
    ("gender_mainstreaming", "Gender mainstreaming", "Lồng ghép giới"),
    // Inspections.
    ("check", "Check", "Kiểm tra"),
    ("inspection", "Inspection", "Thanh tra"),
    ("planned", "Planned", "Theo kế hoạch"),
    ("concluded", "Concluded", "Đã kết luận"),
    // Law areas.
    ("politics", "Politics", "Chính trị"),
    ("economy", "Economy", "Kinh tế"),
    ("labour", "Labour", "Lao động"),
    ("education_training", "Education and training", "Giáo dục và đào tạo"),
    ("science_technology", "Science and technology", "Khoa học và công nghệ"),
    (
        "culture_information_sport",
        "Culture, information and sport",
        "Văn hóa, thông tin, thể dục, thể thao",
    ),
    ("health", "Health", "Y tế"),
    ("family", "Family", "Gia đình"),
    // Penalties.
    ("warning", "Warning", "Cảnh cáo"),
    ("fine", "Fine", "Phạt tiền"),
    ("pending", "Not yet decided", "Chưa quyết định"),
    // Petitions.
    ("complaint", "Complaint", "Khiếu nại"),
    ("denunciation", "Denunciation", "Tố cáo"),
    ("other", "Other", "Khác"),
    // Survivors' cases (the survivors' section of reports).
    ("female", "Female", "Nữ"),
    ("male", "Male", "Nam"),
    ("unknown", "Unknown", "Chưa rõ"),
    ("0-5", "0–5 years", "0–5 tuổi"),
    ("6-11", "6–11 years", "6–11 tuổi"),
    ("12-15", "12–15 years", "12–15 tuổi"),
    ("16-17", "16–17 years", "16–17 tuổi"),
    ("18-29", "18–29 years", "18–29 tuổi"),
    ("30-44", "30–44 years", "30–44 tuổi"),
    ("45-59", "45–59 years", "45–59 tuổi"),
    ("60+", "60 years and over", "Từ 60 tuổi"),
    ("spouse", "Spouse", "Vợ, chồng"),
    ("former_spouse", "Former spouse", "Vợ, chồng đã ly hôn"),
    (
        "cohabiting_partner",
        "Cohabiting partner",
        "Người chung sống như vợ chồng",
    ),
    (
        "former_cohabiting_partner",
        "Former cohabiting partner",
        "Người từng chung sống như vợ chồng",
    ),
    ("parent", "Parent", "Cha, mẹ"),
    ("child", "Child", "Con"),
    ("grandparent", "Grandparent", "Ông, bà"),
    ("grandchild", "Grandchild", "Cháu"),
    ("sibling", "Sibling", "Anh, chị, em"),
    ("in_law", "In-law", "Quan hệ thông gia"),
    ("other_relative", "Other relative", "Người thân khác"),
    ("living_together", "Living together", "Cùng chung sống"),
    ("commune_committee", "Commune People's Committee", "UBND cấp xã"),
    ("police", "Police", "Công an"),
    ("school", "School", "Nhà trường"),
    ("village_head", "Village head", "Trưởng thôn, tổ dân phố"),
    ("mass_organisation", "Mass organisation", "Tổ chức chính trị - xã hội"),
    (
        "dv_hotline",
        "Domestic-violence hotline",
        "Đường dây nóng phòng, chống bạo lực gia đình",
    ),
    (
        "child_hotline_111",
        "Child-protection hotline 111",
        "Tổng đài bảo vệ trẻ em 111",
    ),
    ("trusted_address", "Trusted address", "Địa chỉ tin cậy"),
    ("partner_ngo", "Partner NGO", "Tổ chức phi chính phủ"),
    ("self_referral", "Self-referral", "Tự đến"),
    ("health_facility", "Health facility", "Cơ sở y tế"),
    ("physical", "Physical", "Thể chất"),
    ("psychological", "Psychological", "Tinh thần"),
    ("sexual", "Sexual", "Tình dục"),
    ("economic", "Economic", "Kinh tế"),
    ("health_care", "Health care", "Chăm sóc y tế"),
    (
        "psychosocial",
        "Psychosocial support or counselling",
        "Hỗ trợ tâm lý, tư vấn",
    ),
    ("legal_aid", "Legal aid", "Trợ giúp pháp lý"),
    ("safety_shelter", "Safety or shelter", "An toàn, tạm lánh"),
    ("police_justice", "Police and justice", "Công an, tư pháp"),
    ("material_support", "Material support", "Hỗ trợ vật chất"),
    ("education", "Education or vocational training", "Giáo dục, học nghề"),
    ("stop_order", "Stop order", "Buộc chấm dứt hành vi bạo lực"),
    ("ban_on_contact", "Ban on contact", "Cấm tiếp xúc"),
    ("shelter", "Shelter", "Bố trí nơi tạm lánh"),
    ("medical_care", "Medical care", "Cấp cứu, chăm sóc y tế"),
    (
        "behaviour_change",
        "Behaviour-change education",
        "Giáo dục, hỗ trợ chuyển đổi hành vi",
    ),
    (
        "preventive_other",
        "Other preventive measure",
        "Biện pháp ngăn chặn khác",
    ),
    ("received", "Received", "Đã tiếp nhận"),
    ("accepted", "Accepted", "Đã thụ lý"),
    ("rejected", "Not accepted", "Không thụ lý"),
    ("forwarded", "Forwarded", "Chuyển đơn"),
    ("verifying", "Being verified", "Đang xác minh"),
    ("resolved", "Resolved", "Đã giải quyết"),
    ("withdrawn", "Withdrawn", "Đã rút đơn"),
    // Petition channels.
    ("in_person", "In person", "Trực tiếp"),
    ("mail", "By post", "Qua bưu chính"),
    ("email", "By email", "Thư điện tử"),
    ("online", "Online", "Trực tuyến"),
    ("phone", "By phone", "Điện thoại"),
];

/// Whether `code` has a name of its own.
pub fn has_label(code: &str) -> bool {
    LABELS.iter().any(|(c, _, _)| *c == code)
}

/// The name of a code in `lang`; the code itself when it has none.
pub fn label(code: &str, lang: Lang) -> String {
    LABELS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, vi)| if lang == Lang::Vi { *vi } else { *en })
        .unwrap_or(code)
        .to_string()
}
