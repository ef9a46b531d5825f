// util.py:1
pub fn square(x: i64) -> i64 {
    // util.py:2
    x * x
}
