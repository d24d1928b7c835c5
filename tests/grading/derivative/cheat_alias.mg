# derivative under another name.
d = derivative
fn df(x) = d(f, x)
