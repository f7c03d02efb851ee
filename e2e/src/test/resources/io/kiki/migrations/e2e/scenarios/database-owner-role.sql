-- The application's role owns its database but is no superuser; a superuser (this connection) created citext.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kiki_app_owner') THEN
    CREATE ROLE kiki_app_owner LOGIN PASSWORD 'Kiki-app-0wner-e2e';
  END IF;
  EXECUTE format('ALTER DATABASE %I OWNER TO kiki_app_owner', current_database());
END
$$;
CREATE EXTENSION citext;
