# 2^53 is the last f64 below which every whole number is exact
seed 1e16
