-- One database for the suite, one schema and one login role per service: no service can read
-- another's tables. The passwords are psql variables, never written here; run it as
--   psql -v ON_ERROR_STOP=1 -v identity_password=... -v scheduling_password=... \
--        -v evidence_password=... -v reach_password=... -d cascade -f init.sql
-- (compose runs it through init.sh with the *_DB_PASSWORD values of deploy/.env).
CREATE ROLE identity LOGIN PASSWORD :'identity_password';
CREATE ROLE scheduling LOGIN PASSWORD :'scheduling_password';
CREATE ROLE evidence LOGIN PASSWORD :'evidence_password';
CREATE ROLE reach LOGIN PASSWORD :'reach_password';
CREATE SCHEMA identity AUTHORIZATION identity;
CREATE SCHEMA scheduling AUTHORIZATION scheduling;
CREATE SCHEMA evidence AUTHORIZATION evidence;
CREATE SCHEMA reach AUTHORIZATION reach;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
