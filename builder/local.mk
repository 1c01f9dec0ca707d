# builder/local.mk: embed.o carries builder/ebuild.sh (see embed.c).
$(O)/builder/embed.o: builder/ebuild.sh
