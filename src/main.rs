fn main() {
    std::process::exit(ventalibre_main());
}

fn ventalibre_main() -> i32 {
    0
}
