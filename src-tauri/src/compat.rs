//! Stand-ins until the core's job queue lands (removed then).

use haul::{Haul, Plan, ProgressSnapshot};

use crate::dto::CommandError;

pub async fn enqueue(_haul: &Haul, _plan: &Plan, _priority: i64) -> Result<i64, CommandError> {
    Err(CommandError::internal("the queue is not there yet"))
}

pub fn live_progress(_haul: &Haul) -> Vec<(i64, ProgressSnapshot)> {
    Vec::new()
}

pub async fn retry_job(_haul: &Haul, _id: i64) -> Result<i64, CommandError> {
    Err(CommandError::internal("the queue is not there yet"))
}
