// genq: parses the command line and runs the chosen subcommand (app/cli.cpp).
#include "genq/app/commands.hpp"

int main(int argc, char** argv) { return genq::app::main(argc, argv); }
