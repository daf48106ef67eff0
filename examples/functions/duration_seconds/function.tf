output "gate_window_seconds" {
  value = provider::actiontrail::duration_seconds("30d") # 2592000
}
