namespace Mlops.Tracking.Sqlite;

/// <summary>The schema of the SQLite store, as numbered migrations applied in order on open.</summary>
/// <remarks>
/// The metric history is the big table, so its rows hold integers only: the run's <c>run_key</c> (the runs table's
/// rowid; the public 32-hex <c>run_id</c> is a unique column) and the key interned in <c>metric_keys</c>. The small
/// tables searched by key (latest metrics, params, tags) keep the run id and key as text, with a covering
/// (key, value, run_id) index so a filter clause reads the matching runs from the index alone.
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>Migration i brings the schema from version i to version i + 1.</summary>
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE experiments (
            experiment_id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            artifact_location TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL DEFAULT 'active',
            creation_time INTEGER NOT NULL,
            last_update_time INTEGER NOT NULL);
        CREATE TABLE experiment_tags (
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key));
        CREATE TABLE runs (
            run_key INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL UNIQUE,
            experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
            name TEXT NOT NULL,
            user_id TEXT NOT NULL,
            status TEXT NOT NULL,
            start_time INTEGER NOT NULL,
            end_time INTEGER,
            artifact_uri TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL DEFAULT 'active',
            parent_run_id TEXT);
        CREATE INDEX ix_runs_experiment ON runs(experiment_id, start_time);
        CREATE INDEX ix_runs_start ON runs(start_time);
        CREATE TABLE metric_keys (
            key_id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE);
        CREATE TABLE metrics (
            run_key INTEGER NOT NULL,
            key_id INTEGER NOT NULL,
            value REAL,
            is_nan INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            step INTEGER NOT NULL);
        CREATE INDEX ix_metrics_run_key ON metrics(run_key, key_id, step, timestamp);
        CREATE TABLE latest_metrics (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            key TEXT NOT NULL,
            value REAL,
            is_nan INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            step INTEGER NOT NULL,
            PRIMARY KEY (run_id, key));
        CREATE INDEX ix_latest_metrics_key ON latest_metrics(key, value, run_id);
        CREATE TABLE params (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key));
        CREATE INDEX ix_params_key ON params(key, value, run_id);
        CREATE TABLE tags (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key));
        CREATE INDEX ix_tags_key ON tags(key, value, run_id);
        CREATE TABLE registered_models (
            name TEXT PRIMARY KEY,
            description TEXT NOT NULL,
            creation_time INTEGER NOT NULL,
            last_updated_time INTEGER NOT NULL);
        CREATE TABLE registered_model_tags (
            name TEXT NOT NULL REFERENCES registered_models(name),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (name, key));
        CREATE TABLE model_versions (
            name TEXT NOT NULL REFERENCES registered_models(name),
            version INTEGER NOT NULL,
            source TEXT NOT NULL,
            run_id TEXT,
            status TEXT NOT NULL,
            description TEXT NOT NULL,
            creation_time INTEGER NOT NULL,
            PRIMARY KEY (name, version));
        CREATE TABLE model_version_tags (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (name, version, key),
            FOREIGN KEY (name, version) REFERENCES model_versions(name, version));
        CREATE TABLE model_aliases (
            name TEXT NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (name, alias),
            FOREIGN KEY (name, version) REFERENCES model_versions(name, version));
        """,
    ];

    public static int CurrentVersion => Migrations.Length;
}
