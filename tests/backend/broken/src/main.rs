// A crate whose generated code does not type-check (a translator bug).
mod util;

fn main() {
    // main.py:3
    println!("{}", util::twice(2));
}
