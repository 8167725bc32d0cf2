//! Several real `portcullis serve` processes at once: nodes sharing one PostgreSQL database
//! (`cluster`, `radius_nodes`, `rolling_restart`, `sweep_nodes`) and nodes killed with `kill -9` under write
//! load (`crash`).
//! Slow and process-heavy, so kept apart from the quick API tests.

#[macro_use]
#[path = "../harness/mod.rs"]
mod harness;

mod cluster;
mod crash;
mod radius_nodes;
mod rolling_restart;
mod sweep_nodes;

/// The nodes, their database and outboxes, for `cluster` and `rolling_restart`.
mod cluster_support;
/// The write load, its journal and the checks after each crash, for `crash`.
mod crash_support;
