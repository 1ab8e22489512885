DROP TABLE mapping_profiles;
DROP TABLE rules;
DROP TABLE transactions;
DROP TABLE imports;
DROP TABLE categories;
DROP TABLE accounts;
