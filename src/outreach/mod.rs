//! Outreach events: street events, campaigns, exhibitions, contests, performances, seminars,
//! visits to victims, broadcasts, articles, social media, banners. Counted by sex, with the
//! audience reached; `in_action_month` is derived from the dates. Partners see public events.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
