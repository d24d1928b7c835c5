slopes = [derivative(f, x) for x in [-2, 0, 0.5, 3]]
fn df(x) = 6*x - 4
