# Calls the forbidden tanh.
fn my_tanh(x) = tanh(x)
