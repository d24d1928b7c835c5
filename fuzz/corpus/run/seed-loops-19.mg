fn f(x) { return x * x }
fn h(x) { if x > 1 { return f(x) } else { return -x } }
print [h(k) for k in -2..3], derivative(h, 2), derivative(h, -2)
