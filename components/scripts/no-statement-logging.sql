-- Included (\i) by every psql session that sends a password: it turns off each setting that can put a
-- statement's text into a log, whatever postgresqlParameters chose (every statement, a sampled, slow or
-- failed one, a parse tree), and pg_stat_statements' record of utility statements, if it is loaded.
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SET log_min_duration_sample = -1;
SET log_transaction_sample_rate = 0;
SET log_min_error_statement = 'panic';
SET debug_print_parse = off;
SET debug_print_rewritten = off;
SET debug_print_plan = off;
SET pg_stat_statements.track_utility = off;
