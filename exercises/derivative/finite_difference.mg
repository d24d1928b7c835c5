# Rise over run with h = 0.001: close, but not within 1e-6 (it is off by 3h).
fn f(x) = 3*x**2 - 4*x + 5
fn df(x) = (f(x + 0.001) - f(x)) / 0.001
