DROP TABLE badge_settings;
DROP TABLE badges;
