fn step(x) {
  if x > 1 { continue }
  return x
}
