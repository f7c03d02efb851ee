-- An application made its schema with metadata.create_all: tables, no alembic_version.
CREATE TABLE users (id integer PRIMARY KEY, email varchar(255) NOT NULL UNIQUE);
INSERT INTO users VALUES (1, 'ada@kiki.example');
