a.grad = 7.7
fn dg(x) = 8.9
