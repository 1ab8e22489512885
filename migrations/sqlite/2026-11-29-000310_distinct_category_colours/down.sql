UPDATE categories SET color = '#BBBBBB' WHERE name = 'Insurance' AND color = '#332288';
