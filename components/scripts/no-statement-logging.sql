-- Included (\i) by every psql session that sends a password: it turns off each setting that can put a
-- statement's text into a log, whatever postgresqlParameters chose (every statement, a sampled, slow or
-- failed one, a parse tree), pg_stat_statements' record of utility statements, if it is loaded, and the
-- statement's text in pg_stat_activity, which monitoring roles (pg_read_all_stats) can read while it runs.
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_duration_sample = -1;
SET log_transaction_sample_rate = 0;
SET log_min_error_statement = 'panic';
SET debug_print_parse = off;
SET debug_print_rewritten = off;
SET debug_print_plan = off;
SET pg_stat_statements.track_utility = off;
SET track_activities = off;
