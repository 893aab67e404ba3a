import GutsMaintenance

/// Gauges of the maintenance jobs' last runs (`JobHistory`), offline or online: when,
/// how long, and whether they succeeded.
enum JobMetrics {
    static func gauges(dataDirectory: String) -> [(name: String, help: String, labels: [String: String], value: Double)] {
        JobHistory(dataDirectory: dataDirectory).records().flatMap { record in
            [
                ("guts_job_last_run_timestamp_seconds", "When each maintenance job last started (Unix time).", ["job": record.job], record.startedAt),
                ("guts_job_last_duration_seconds", "How long each maintenance job's last run took.", ["job": record.job], record.seconds),
                ("guts_job_last_success", "1 when each maintenance job's last run succeeded, 0 when it failed.", ["job": record.job], record.succeeded ? 1 : 0),
            ]
        }
    }
}
