t = tanh
fn my_tanh(x) = t(x)
