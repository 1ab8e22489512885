-- Insurance shared the grey of uncategorized money in charts; users who kept the default get
-- the new one (a colour they chose themselves is left alone).
UPDATE categories SET color = '#332288' WHERE name = 'Insurance' AND color = '#BBBBBB';
