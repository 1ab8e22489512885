DROP TABLE summary_sends;
DROP TABLE summary_settings;
