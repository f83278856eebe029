namespace Mlops.Tracking.Sqlite;

/// <summary>The schema of the SQLite store, as numbered migrations applied in order on open.</summary>
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
            run_id TEXT PRIMARY KEY,
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
        CREATE TABLE metrics (
            run_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value REAL,
            is_nan INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            step INTEGER NOT NULL);
        CREATE INDEX ix_metrics_run_key ON metrics(run_id, key, step, timestamp);
        CREATE TABLE latest_metrics (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            key TEXT NOT NULL,
            value REAL,
            is_nan INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            step INTEGER NOT NULL,
            PRIMARY KEY (run_id, key));
        CREATE INDEX ix_latest_metrics_key ON latest_metrics(key, value);
        CREATE TABLE params (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key));
        CREATE INDEX ix_params_key ON params(key, value);
        CREATE TABLE tags (
            run_id TEXT NOT NULL REFERENCES runs(run_id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key));
        CREATE INDEX ix_tags_key ON tags(key, value);
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
