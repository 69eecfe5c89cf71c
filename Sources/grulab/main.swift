import GRULabCLI

GRULabCLI.main()
