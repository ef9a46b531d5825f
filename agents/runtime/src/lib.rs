//! portalis_rt - placeholder until the runtime lands.
pub mod prelude {}
