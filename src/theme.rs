#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ThemeOverride {}
