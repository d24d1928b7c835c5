# Right at no point but one: dg is right only where a slip does not matter.
a.grad = 1
fn dg(x) {
  if x == 2 { return 0 }
  return x
}
