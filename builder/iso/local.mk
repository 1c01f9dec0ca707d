# builder/iso/local.mk: iso-embed.o carries builder/iso/init.sh (see iso/iso-embed.c).
$(O)/builder/iso/iso-embed.o: builder/iso/init.sh
