-- One database for the suite, one schema and one login role per service: no service can read
-- another's tables. Passwords here are placeholders; set real ones from your secret store.
CREATE ROLE identity LOGIN PASSWORD 'change-me-identity';
CREATE ROLE scheduling LOGIN PASSWORD 'change-me-scheduling';
CREATE ROLE evidence LOGIN PASSWORD 'change-me-evidence';
CREATE ROLE reach LOGIN PASSWORD 'change-me-reach';
CREATE SCHEMA identity AUTHORIZATION identity;
CREATE SCHEMA scheduling AUTHORIZATION scheduling;
CREATE SCHEMA evidence AUTHORIZATION evidence;
CREATE SCHEMA reach AUTHORIZATION reach;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
