"""The files postback reads and writes: confined reads, project settings, TOML positions,
loading templates and notifications as CI checked them."""
