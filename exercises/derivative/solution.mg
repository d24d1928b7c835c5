fn f(x) = 3*x**2 - 4*x + 5
fn df(x) = 6*x - 4
