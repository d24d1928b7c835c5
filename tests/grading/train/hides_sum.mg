# Hides the builtin sum that a requirement calls: both requirements pass, and the
# feedback says why the instructor should look.
fn sum(xs) = 0
loss = 0
