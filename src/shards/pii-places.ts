/**
 * Street addresses and dates of birth, for the EU locales of the sample.
 * An address is a street (a street-type word or suffix with a name) with a house number, optionally
 * followed by postcode and town; an Irish Eircode alone is one too (it names one dwelling). Postcodes
 * and towns alone, and house numbers in prose, stay. A date of birth is a date next to a birth cue
 * in the locale's language ("geboren am", "né le", "born on", "DOB", "γεννήθηκα", "twelidt" …),
 * before or (German/Dutch word order) after it; dates without such a cue stay.
 */

const ci = (w: string) => w.replace(/^\p{L}/u, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
const alt = (ws: string[]) => ws.map(ci).join('|');

// A house number, optionally with a letter, a /-range or a staircase and door (12a, 12/3/7, 12-14, 12 B).
const NUM = String.raw`\d{1,4}(?!\d)(?:[ ]?[a-hA-H](?![\p{L}\p{N}]))?(?:[ ]?[\/-][ ]?\d{1,4}[a-zA-Z]?){0,3}`;
// Not a quantity: a number followed by a unit or a counted noun is no house number.
const NOT_UNIT = String.raw`(?![ ]?(?:%|€|\$|£|km|kg|m²|m\b|min|Min|Minuten|minutes|minuti|minutos|minuter|Stunden|hours|heures|uur|ore|horas|timmar|Jahre|years|ans|jaar|anni|años|anos|år|Euro|euro|mal|times|x\b|Leute|people|personnes|mensen|persone|personas|pessoas|personer)(?!\p{L}))`;
// Postcode and town after a street: 1070 Wien, D-10115 Berlin, 1012 AB Amsterdam, 123 45 Stockholm, 1000-001 Lisboa, SLM 1549, A65 F4E2, Dublin 8.
const TOWN = String.raw`\p{Lu}[\p{L}'’-]+(?:[ -](?:(?:am|an|der|im|sur|en|de|del|di|la|le|aan|den|op|bei|ob)[ ]){0,2}\p{Lu}[\p{L}'’-]+)?(?:[ ]\([A-Z]{2}\))?`;
const POST = String.raw`(?:[A-Z]{1,2}-)?(?:\d{4}[ ]?[A-Z]{2}(?![\p{L}])|\d{4}-\d{3}|\d{3}[ ]\d{2}|\d{4,5})`;
const EIR = String.raw`(?:[AC-FHKNPRTV-Y]\d{2}|D6W)[ ]?[0-9AC-FHKNPRTV-Y]{4}`;
const TAIL = String.raw`(?:,?[ ](?:${POST}[ ]${TOWN}|(?:T\.?Κ\.?[ ])?\d{3}[ ]?\d{2}(?:[ ]\p{Lu}\p{L}+)?|[A-Z]{3}[ ]?\d{4}|${EIR}|Dublin[ ]\d{1,2}|D\d{1,2}(?!\p{L})))*`;

const CAP = String.raw`\p{Lu}[\p{L}'’.-]*`;
const PART_ROM = String.raw`(?:de la|de l['’]|du|des|de|d['’]|aux|au|sur|en|la|le|les|l['’]|del|della|dei|degli|delle|dello|di|da|do|dos|das|e|y|de los|de las|et)`;
const NAME_ROM = String.raw`(?:${PART_ROM}[ ]?)?(?:${CAP}|[XVI]+|\d{1,2}(?:st|nd|rd|th|ης|ου)?)(?:[ -](?:${PART_ROM}[ ]?)?(?:${CAP}|[XVI]+)){0,4}`;

const ADDRESS_RES: { [lang: string]: RegExp } = {
  // Hauptstraße 12/3, Mariahilfer Straße 45, Karl-Marx-Allee 3, 1070 Wien
  de: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:\p{Lu}[\p{L}-]*(?:straße|strasse|str\.|gasse|weg|platz|allee|ring|damm|ufer|steig|zeile|kai|markt|gürtel|lände|promenade|chaussee)|\p{Lu}[\p{L}-]*-(?:Straße|Strasse|Gasse|Weg|Platz|Allee|Ring|Damm|Ufer|Zeile|Kai|Markt|Gürtel|Lände)|\p{Lu}\p{L}+(?:er|sche[nr]?)[ ](?:Straße|Strasse|Str\.|Gasse|Weg|Platz|Allee|Ring|Damm|Ufer|Zeile|Kai|Markt|Gürtel|Lände))[ ]?${NUM}${NOT_UNIT}(?:,?[ ](?:Stiege|Stg\.|Tür|Top|Whg\.|Wohnung)[ ]?\d{1,3})*${TAIL}`, 'gu'),
  // Kerkstraat 12a, Lange Nieuwstraat 3 bus 2, 1012 AB Amsterdam
  nl: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:(?:(?:[Vv]an|Sint|Lange|Korte|Oude|Nieuwe|Grote|Kleine|Hoge)[ ])*\p{Lu}[\p{L}'-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|steenweg|lei|dreef|markt|baan|veld|pad|steeg)|\p{Lu}\p{L}+[ ](?:Markt|Plein|Straat|Weg|Laan|Kaai|Dijk|Gracht|Steenweg|Baan|Dreef|Vest))[ ]${NUM}${NOT_UNIT}(?:[ ](?:bus|bis)[ ]?\d{1,3}|[ ]?hs|-[ ]?\d{1,3})?${TAIL}`, 'gu'),
  // Storgatan 12 B, lgh 1102, 123 45 Stockholm; Mannerheimvägen 5 A 3, 00100 Helsingfors
  sv: new RegExp(String.raw`(?<![\p{L}\p{N}])\p{Lu}[\p{L}-]*(?:gatan|gata|vägen|väg|gränd|gränden|torget|torg|backen|stigen|allén|leden|kajen|esplanaden)[ ]${NUM}${NOT_UNIT}(?:[ ]\d{1,3}(?![\p{L}\p{N}]))?(?:,?[ ]lgh[ ]?\d{3,4})?${TAIL}`, 'gu'),
  // 12 rue de la Paix; 5bis, avenue Foch; chaussée de Waterloo 123, 1180 Uccle
  fr: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:\d{1,4}(?:[ ]?(?:bis|ter|[a-c])(?!\p{L}))?,?[ ])?(?:${alt(['rue', 'avenue', 'av.', 'boulevard', 'bd', 'chaussée', 'place', 'allée', 'impasse', 'chemin', 'quai', 'route', 'cours', 'square', 'drève', 'clos', 'rempart'])})[ ]${NAME_ROM}(?:,?[ ]\d{1,4}(?!\d)(?:[ ]?(?:bis|ter|[a-c])(?!\p{L}))?(?:,?[ ](?:bte|boîte|bus)[ ]?\d{1,3})?${NOT_UNIT})?${TAIL}`, 'gu'),
  // via Roma 12, piazza del Duomo 3, corso Vittorio Emanuele II, 45, 20121 Milano (MI)
  it: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${alt(['via', 'viale', 'v.le', 'piazza', 'p.za', 'piazzale', 'corso', 'largo', 'vicolo', 'lungomare', 'lungotevere', 'contrada', 'borgo', 'strada'])})[ ]${NAME_ROM},?[ ](?:n\.?[ ]?)?\d{1,4}(?!\d)(?:[ ]?\/?[a-zA-Z](?![\p{L}]))?${NOT_UNIT}(?:,?[ ](?:int\.?|interno|scala)[ ]?\w{1,3})*${TAIL}`, 'gu'),
  // calle Mayor 5, 3º B; c/ Alcalá 120; avenida de la Constitución, 14, 41001 Sevilla; carrer de Mallorca 401
  es: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${alt(['calle', 'avenida', 'avda.', 'av.', 'plaza', 'pza.', 'paseo', 'carrer', 'camino', 'ronda', 'travesía', 'glorieta', 'rambla', 'carretera'])}|[Cc]\/)[ ]?${NAME_ROM},?[ ](?:n[º°o]\.?[ ]?)?\d{1,4}(?!\d)${NOT_UNIT}(?:,?[ ](?:\d{1,2}[º°ª]?[ ]?(?:[A-Za-z]|\d[ª°º]?|izq(?:da)?\.?|dcha\.?)?|bajo|entlo\.?|ático)(?![\p{L}\p{N}]))?${TAIL}`, 'gu'),
  // rua Augusta 120, 2.º esq.; avenida da Liberdade, 5, 1250-096 Lisboa
  pt: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${alt(['rua', 'avenida', 'av.', 'travessa', 'largo', 'praça', 'estrada', 'calçada', 'beco', 'alameda', 'praceta', 'rotunda'])})[ ]${NAME_ROM},?[ ](?:n\.?[º°][ ]?)?\d{1,4}(?!\d)[A-Z]?${NOT_UNIT}(?:,?[ ]\d{1,2}\.?[º°][ ]?(?:esq|dto|dt|frente|andar)?\.?)?${TAIL}`, 'gu'),
  // 12 Main Street; Apt 4, 23 O'Connell St, Dublin 1, D01 F5P2
  // (not a year after a date: "September 12, 1999 Birds Hill Park")
  en: new RegExp(String.raw`(?<![\p{L}\p{N}]|\p{N},?[ ])(?:(?:Apt\.?|Apartment|Flat|Unit)[ ]?\d{1,4}[A-Z]?,?[ ])?\d{1,4}[A-Za-z]?,?[ ](?:${CAP}[ ]){1,3}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Drive|Terrace|Crescent|Close|Court|Square|Place|Park|Way|Row|Quay|Grove|Gardens|Walk|Heights|Parade|Mews)(?!\p{L})(?:,[ ](?!Dublin[ ]\d)(?:Co\.[ ])?\p{Lu}[\p{L}'’-]+(?:[ ](?![A-Z]{3}[ ]?\d)\p{Lu}[\p{L}'’-]+)?){0,3}${TAIL}`, 'gu'),
  // Triq il-Kbira 12, Ħaż-Żebbuġ ZBG 1234; 25, Triq San Pawl, San Pawl il-Baħar
  mt: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:\d{1,4},?[ ])?(?:Triq|Trejqa|Sqaq|Misraħ|Vjal|Pjazza)[ ](?:(?:il|ir|is|it|ix|iż|id|in|l|tal|tas|tar|tat|taż|tad|san|Santa|Sant)[-’'][ ]?|ta['’][ ]|San[ ]|Santa[ ])?\p{Lu}[\p{L}'’-]*(?:[ ](?:(?:il|ir|is|it|ix|iż|id|in|l|tal|tas|tar|tat|taż|tad)-)?\p{Lu}[\p{L}'’-]*){0,3}(?:,?[ ]\d{1,4}(?![\p{N}]))?(?:,[ ]\p{Lu}[\p{L}'’-]*(?:[ -](?![A-Z]{3}[ ]?\d)\p{L}[\p{L}'’-]*){0,2})?${TAIL}`, 'gu'),
  // οδός Ερμού 25, 105 63 Αθήνα; Λεωφόρος Μακαρίου Γ' 45, 1065 Λευκωσία
  el: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:[Οο]δός|[Οο]δ\.|Λεωφόρος|λεωφόρος|Λεωφ\.|λεωφ\.|Πλατεία|πλατεία)[ ](?:\d{1,2}ης[ ])?\p{Lu}[\p{L}'΄’.]*(?:[ ](?:\p{Lu}[\p{L}'΄’.]*|του|της|των))*,?[ ](?:αρ\.?[ ])?\d{1,4}[Α-Ωα-ωA-Za-z]?(?![\p{L}\p{N}])${NOT_UNIT}${TAIL}`, 'gu'),
  ie: new RegExp(String.raw`(?<![\p{L}\p{N}])${EIR}(?![\p{L}\p{N}])`, 'gu'),
};

/** Street-address languages tried for a text of each country (unknown country: all). */
const ADDRESS_LANGS: { [cc: string]: string[] } = {
  AT: ['de'], DE: ['de'], CH: ['de', 'fr', 'it'], LU: ['de', 'fr'], LI: ['de'], FR: ['fr'], BE: ['fr', 'nl'], NL: ['nl'], IT: ['it'], ES: ['es'],
  PT: ['pt'], SE: ['sv'], FI: ['sv'], IE: ['en', 'ie'], MT: ['en', 'mt'], GB: ['en'], GR: ['el'], CY: ['el', 'en'],
};

/** Address spans in `text` for the languages of `country`. */
export function findAddresses(text: string, country: string | undefined): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  // every address holds a digit (a house number, or the Eircode's): none in the text, none to find
  if (!/\d/.test(text)) return out;
  const langs = (country && ADDRESS_LANGS[country]) || Object.keys(ADDRESS_RES);
  for (const l of langs) {
    for (const m of text.matchAll(ADDRESS_RES[l])) {
      let v = m[0].replace(/[ ,]+$/, '');
      // a street needs a house number (or, in Malta, a postcode); an Eircode alone is enough
      if (l !== 'ie' && !/\d/.test(v)) continue;
      if (/[.,]$/.test(v) && !/(?:str|St|Rd|Ave|Stg|Whg|av|bd|avda|pza|p\.za|v\.le|izq|dcha|esq|dto|dt)\.$/.test(v)) v = v.slice(0, -1);
      out.push([m.index!, m.index! + v.length]);
    }
  }
  return out;
}

// ---------------------------------------------------------------- dates of birth

const MONTHS = [
  // de (incl. Austrian Jänner, Feber), en, fr, nl, it, es, pt, sv, da, ca, mt, el (nominative and genitive)
  'Jänner|Januar|Feber|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember',
  'January|February|March|May|June|July|October|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec',
  'janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre',
  'januari|februari|maart|mei|augustus|oktober',
  'gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|dicembre',
  'enero|febrero|abril|mayo|junio|julio|septiembre|setiembre|octubre|noviembre|diciembre',
  'janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|dezembro',
  'mars|maj|augusti|januar|februar|marts',
  'gener|febrer|març|maig|juny|juliol|agost|setembre|desembre',
  'Jannar|Frar|Marzu|Mejju|Ġunju|Lulju|Awwissu|Settembru|Ottubru|Novembru|Diċembru',
  'Ιανουαρίου|Φεβρουαρίου|Μαρτίου|Απριλίου|Μαΐου|Μαίου|Ιουνίου|Ιουλίου|Αυγούστου|Σεπτεμβρίου|Οκτωβρίου|Νοεμβρίου|Δεκεμβρίου',
  'Ιανουάριο|Φεβρουάριο|Μάρτιο|Απρίλιο|Μάιο|Ιούνιο|Ιούλιο|Αύγουστο|Σεπτέμβριο|Οκτώβριο|Νοέμβριο|Δεκέμβριο',
]
  .join('|')
  .split('|')
  .map(ci)
  .join('|');
const D = String.raw`(?:0?[1-9]|[12]\d|3[01])`;
const M = String.raw`(?:0?[1-9]|1[0-2])`;
const Y4 = String.raw`(?:19|20)\d\d`;
const DATE = String.raw`(?:${D}[ ]?[./-][ ]?${M}[ ]?[./-][ ]?(?:${Y4}|'?\d\d)(?!\d)|${Y4}-${M}-${D}(?!\d)|${D}(?:\.|st|nd|rd|th|er|º|ª|η|ης)?[ ](?:of[ ]|de[ ]|ta['’][ ])?(?:${MONTHS})(?!\p{L})\.?(?:,?[ ](?:de[ ]|del[ ])?${Y4})?|(?:${MONTHS})[ ]${D}(?:st|nd|rd|th)?,?[ ]${Y4}|(?:${MONTHS})[ ](?:de[ ]|del[ ])?${Y4}|${D}\.[ ]?${M}\.(?!\d))`;

const CUE_BEFORE = [
  '[Gg]eboren(?: am| im| in| op)?', '[Gg]eb\\.(?: am)?', '[Gg]eburtsdatum', '[Gg]eb\\.-[Dd]atum', '[Gg]eboortedatum',
  '[Bb]orn(?: on| in)?', 'DOB', 'D\\.O\\.B\\.?', 'd\\.o\\.b\\.?', '[Dd]ob', '[Dd]ate of birth', '[Bb]irth ?date',
  '[Nn]ée?(?:\\(e\\))?(?: le| en)?', '[Dd]ate de naissance',
  '[Nn]at[oa](?: il| nel| a)?', '[Dd]ata di nascita',
  '[Nn]ac[ií](?: el| en)?', '[Nn]aci[óo](?: el| en)?', '[Nn]acieron(?: el| en)?', '[Nn]acid[oa](?: el| en)?', '[Ff]echa de nacimiento', '[Ff]\\. ?nac\\.',
  '[Nn]asci(?: a| em| no)?', '[Nn]asceu(?: a| em| no)?', '[Nn]asceram(?: a| em| no)?', '[Nn]ascid[oa](?: a| em| no)?', '[Dd]ata de nascimento', '[Dd]ata de naixement', '[Vv]aig néixer(?: el)?', '[Nn]ascut', '[Nn]ascuda',
  '[Ff]ödd(?:es)?(?: den| i| år)?', '[Ff]ödelsedatum', '[Ff]ødt(?: den)?', '[Ff]ødselsdato',
  '[Γγ]εννήθηκα', '[Γγ]εννήθηκε', '[Εε]γεννήθηκα', '[Εε]γεννήθηκε', '[Εε]γεννήθην', '[Γγ]εννημένος', '[Γγ]εννημένη', '[Ηη]μερομηνία γέννησης', '[Ηη]μ\\.? γέννησης', '[Ηη]μερομηνία γεννήσεως',
  '[Tt]welidt', '[Tt]welid', '[Tt]wieled', '[Tt]wieldet', '[Ii]mwieled', '[Ii]mwielda', '[Dd]ata tat-twelid', '[Jj]ahrgang',
].join('|');
const CUE_AFTER = "[Εε]γεννήθηκα|geboren|born|nato|nata|né|née|nacid[oa]|naci[óo]|nascid[oa]|nasceu|född|født|γεννήθηκα|γεννήθηκε|twelidt|twieled";

// a cue, then up to four short words (in, Cork, on, the, am, στις, f', fl- …), then a date
const DOB_BEFORE = new RegExp(String.raw`(?<![\p{L}])(?:${CUE_BEFORE})(?![\p{L}])[ ]?[:,–-]?[ ]*(?:[\p{L}'’-]{1,14}[ ,]+|f['’][ ]?|fl-|fil-|il-|l-){0,4}?(${DATE})`, 'gu');
// a year alone, right after "born in", "né en", "Jahrgang" …
const DOB_YEAR = new RegExp(String.raw`(?<![\p{L}])(?:[Bb]orn in|[Gg]eboren(?: im Jahr(?:e)?)?|[Jj]ahrgang|[Nn]ée? en|[Nn]at[oa] nel|[Nn]ac[ií] en|[Nn]acid[oa] en|[Nn]aci[óo] en|[Nn]asci em|[Nn]asceu em|[Nn]ascid[oa] em|[Ff]ödd(?: år)?|[Γγ]εννήθηκα το|(?:[Tt]welidt|[Tt]wieldet|[Tt]wieled|[Ii]mwieled|[Ii]mwielda)[ ]?(?:fis-sena[ ]|f['’][ ]?|fl-|fil-)?)[ ]?(${Y4})(?!\d)`, 'gu');
// German/Dutch word order: "bin am 3. März 1985 in Graz geboren"
const DOB_AFTER = new RegExp(String.raw`(?<![\p{L}\p{N}])(${DATE})(?=[^.!?\n]{0,40}?(?<![\p{L}])(?:${CUE_AFTER})(?![\p{L}]))`, 'gu');

/** Stems of every cue above: a text without one has no date of birth (a cheap test before the big patterns). */
const CUE_STEM = /geb|born|dob|d\.o\.b|birth|née?(?!\p{L})|naiss|nat[oa]|nac[ií]|nasc|naix|néixer|född|födel|fødsel|født|γενν|γέννησ|twel|twiel|mwiel|jahrgang|geboorte/iu;

/** Date-of-birth spans (the date only, not the cue). */
export function findDob(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (!CUE_STEM.test(text)) return out;
  for (const re of [DOB_BEFORE, DOB_YEAR, DOB_AFTER]) {
    for (const m of text.matchAll(re)) {
      const s = m.index! + m[0].length - m[1].length;
      out.push([s, s + m[1].length]);
    }
  }
  return out;
}
