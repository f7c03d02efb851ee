-- Rows the application wrote before the email became unique: two accounts share an email.
INSERT INTO accounts (id, email) VALUES (1, 'ada@kiki.example'), (2, 'ada@kiki.example'), (3, 'bob@kiki.example');
