# builder/build/local.mk: embed.o carries builder/build/ebuild.sh (see build/embed.c).
$(O)/builder/build/embed.o: builder/build/ebuild.sh
