from sectree.cli import main

main()
