from suppgram_tui.cli import main

main()
