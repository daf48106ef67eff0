//! The ActionTrail emulator behind `actiontrail-sim`.
