from gaidocx.cli import main

main()
