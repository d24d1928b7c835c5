# backward hidden in a function that is called later.
fn solve(node) {
  backward node
  return 0
}
x = solve(L)
