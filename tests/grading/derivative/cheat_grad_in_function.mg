# The derivative by autograd, inside the function the question calls.
fn df(x) {
  t = x + 0
  y = f(t)
  grad y
  return t.grad
}
