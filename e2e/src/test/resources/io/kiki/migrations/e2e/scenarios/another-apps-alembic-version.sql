-- The project's schema for its version table, and another application's Alembic table in public.
CREATE SCHEMA kiki_meta;
CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO public.alembic_version VALUES ('x9');
