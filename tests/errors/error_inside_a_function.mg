fn safe_log(x) = log(x)
fn loss(p) {
  return -safe_log(p - 1)
}
L = loss(0.5)
