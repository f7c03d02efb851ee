-- Rows the application wrote, every email once.
INSERT INTO accounts (id, email) VALUES (1, 'ada@kiki.example'), (2, 'bob@kiki.example'), (3, 'cy@kiki.example');
