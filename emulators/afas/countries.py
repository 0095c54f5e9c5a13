"""AFAS Profit's own country codes (``CoId``), which are not ISO 3166: Belgium is ``B``, Germany ``D``,
Ireland ``IRL``, Malta ``M``, Canada ``CDN`` …

Source: rmuit/PracticalAfas ``src/UpdateConnector/IsoCountryTrait.php`` — ``convertCountryName`` holds
AFAS's country table (pasted from AFAS's docs) and ``convertIsoCountryCode`` the ISO codes that differ.
That ISO list is incomplete (it leaves out the 3-letter and 1-letter codes such as IRL, M, CDN, AUS) and
maps ISO ``IN`` (India) to Indonesia's ``RI``; ``ISO_TO_AFAS`` below is derived from the full table
instead, by country, so India is ``IND`` and Indonesia (ISO ``ID``) is ``RI``.
"""

from __future__ import annotations

# AFAS code -> country (PracticalAfas convertCountryName, in full).
AFAS_COUNTRIES: dict[str, str] = {
    "AFG": "Afghanistan", "AL": "Albania", "DZ": "Algeria", "ASM": "American Samoa", "AND": "Andorra",
    "AO": "Angola", "AIA": "Anguilla", "AG": "Antigua and Barbuda", "RA": "Argentina", "AM": "Armenia",
    "AUS": "Australia", "A": "Austria", "AZ": "Azerbaijan", "BS": "Bahamas", "BRN": "Bahrain",
    "BD": "Bangladesh", "BDS": "Barbados", "BY": "Belarus", "B": "België", "BH": "Belize", "BM": "Bermuda",
    "DY": "Benin", "BT": "Bhutan", "BOL": "Bolivia", "BA": "Bosnia and Herzegowina", "RB": "Botswana",
    "BR": "Brazil", "BRU": "Brunei Darussalam", "BG": "Bulgaria", "BU": "Burkina Faso", "RU": "Burundi",
    "K": "Cambodia", "TC": "Cameroon", "CDN": "Canada", "CV": "Cape Verde", "RCA": "Central African Republic",
    "TD": "Chad", "RCH": "Chile", "CN": "China", "CO": "Colombia", "KM": "Comoros", "RCB": "Congo",
    "CR": "Costa Rica", "CI": "Cote D'Ivoire", "HR": "Croatia", "C": "Cuba", "CY": "Cyprus",
    "CZ": "Czech Republic", "DK": "Denmark", "DJI": "Djibouti", "WD": "Dominica", "DOM": "Dominican Republic",
    "TLS": "East Timor", "EC": "Ecuador", "ET": "Egypt", "EL": "El Salvador", "CQ": "Equatorial Guinea",
    "ERI": "Eritrea", "EE": "Estonia", "ETH": "Ethiopia", "FLK": "Falkland Islands (Malvinas)",
    "FRO": "Faroe Islands", "FJI": "Fiji", "FIN": "Finland", "F": "France", "GF": "French Guiana",
    "PYF": "French Polynesia", "ATF": "French Southern Territories", "GA": "Gabon", "WAG": "Gambia",
    "GE": "Georgia", "D": "Germany", "GH": "Ghana", "GIB": "Gibraltar", "GR": "Greece", "GRO": "Greenland",
    "WG": "Grenada", "GP": "Guadeloupe", "GUM": "Guam", "GCA": "Guatemala", "GN": "Guinea",
    "GW": "Guinea-bissau", "GUY": "Guyana", "RH": "Haiti", "HMD": "Heard and Mc Donald Islands",
    "HON": "Honduras", "HK": "Hong Kong", "H": "Hungary", "IS": "Iceland", "IND": "India", "RI": "Indonesia",
    "IR": "Iran (Islamic Republic of)", "IRQ": "Iraq", "IRL": "Ireland", "IL": "Israel", "I": "Italy",
    "JA": "Jamaica", "J": "Japan", "HKJ": "Jordan", "KZ": "Kazakhstan", "EAK": "Kenya", "KIR": "Kiribati",
    "KO": "Korea, Democratic People's Republic of", "ROK": "Korea, Republic of", "KWT": "Kuwait",
    "KG": "Kyrgyzstan", "LAO": "Lao People's Democratic Republic", "LV": "Latvia", "RL": "Lebanon",
    "LS": "Lesotho", "LB": "Liberia", "LAR": "Libyan Arab Jamahiriya", "FL": "Liechtenstein",
    "LT": "Lithuania", "L": "Luxembourg", "MO": "Macau", "MK": "Macedonia, The Former Yugoslav Republic of",
    "RM": "Madagascar", "MW": "Malawi", "MAL": "Malaysia", "MV": "Maldives", "RMM": "Mali", "M": "Malta",
    "MAR": "Marshall Islands", "MQ": "Martinique", "RIM": "Mauritania", "MS": "Mauritius", "MYT": "Mayotte",
    "MEX": "Mexico", "MIC": "Micronesia, Federated States of", "MD": "Moldova, Republic of", "MC": "Monaco",
    "MON": "Mongolia", "MSR": "Montserrat", "MA": "Morocco", "MOC": "Mozambique", "BUR": "Myanmar",
    "SWA": "Namibia", "NR": "Nauru", "NL": "Nederland", "NPL": "Nepal", "NA": "Netherlands Antilles",
    "NCL": "New Caledonia", "NZ": "New Zealand", "NIC": "Nicaragua", "RN": "Niger", "WAN": "Nigeria",
    "NIU": "Niue", "NFK": "Norfolk Island", "MNP": "Northern Mariana Islands", "N": "Norway", "OMA": "Oman",
    "PK": "Pakistan", "PLW": "Palau", "PSE": "Palestina", "PA": "Panama", "PNG": "Papua New Guinea",
    "PY": "Paraguay", "PE": "Peru", "RP": "Philippines", "PCN": "Pitcairn", "PL": "Poland", "P": "Portugal",
    "PR": "Puerto Rico", "QA": "Qatar", "REU": "Reunion", "RO": "Romania", "RUS": "Russian Federation",
    "RWA": "Rwanda", "KN": "Saint Kitts and Nevis", "WL": "Saint Lucia",
    "WV": "Saint Vincent and the Grenadines", "WSM": "Samoa", "RSM": "San Marino",
    "ST": "Sao Tome and Principe", "AS": "Saudi Arabia", "SN": "Senegal", "SRB": "Serbia", "SY": "Seychelles",
    "WAL": "Sierra Leone", "SGP": "Singapore", "SK": "Slovakia (Slovak Republic)", "SLO": "Slovenia",
    "SB": "Solomon Islands", "SP": "Somalia", "ZA": "South Africa",
    "GS": "South Georgia and the South Sandwich Islands", "E": "Spain", "CL": "Sri Lanka", "SHN": "St. Helena",
    "SPM": "St. Pierre and Miquelon", "SUD": "Sudan", "SME": "Suriname",
    "SJM": "Svalbard and Jan Mayen Islands", "SD": "Swaziland", "S": "Sweden", "CH": "Switzerland",
    "SYR": "Syrian Arab Republic", "RC": "Taiwan", "TAD": "Tajikistan", "EAT": "Tanzania, United Republic of",
    "T": "Thailand", "TG": "Togo", "TK": "Tokelau", "TO": "Tonga", "TT": "Trinidad and Tobago", "TN": "Tunisia",
    "TR": "Turkey", "TMN": "Turkmenistan", "TCA": "Turks and Caicos Islands", "TV": "Tuvalu", "EAU": "Uganda",
    "UA": "Ukraine", "AE": "United Arab Emirates", "GB": "United Kingdom", "USA": "United States",
    "UMI": "United States Minor Outlying Islands", "ROU": "Uruguay", "OEZ": "Uzbekistan", "VU": "Vanuatu",
    "VAT": "Vatican City State (Holy See)", "YV": "Venezuela", "VN": "Viet Nam",
    "VGB": "Virgin Islands (British)", "VIR": "Virgin Islands (U.S.)", "WLF": "Wallis and Futuna Islands",
    "ESH": "Western Sahara", "YMN": "Yemen", "Z": "Zambia", "ZW": "Zimbabwe",
}  # fmt: skip

# ISO 3166 alpha-2 -> AFAS code: every EU and EEA country, GB, CH, the European microstates and the
# countries webshops commonly ship to. Countries where AFAS uses the ISO code itself are listed too, so a
# missing key means "not mapped", never "same as ISO".
ISO_TO_AFAS: dict[str, str] = {
    # EU
    "AT": "A", "BE": "B", "BG": "BG", "HR": "HR", "CY": "CY", "CZ": "CZ", "DK": "DK", "EE": "EE", "FI": "FIN",
    "FR": "F", "DE": "D", "GR": "GR", "HU": "H", "IE": "IRL", "IT": "I", "LV": "LV", "LT": "LT", "LU": "L",
    "MT": "M", "NL": "NL", "PL": "PL", "PT": "P", "RO": "RO", "SK": "SK", "SI": "SLO", "ES": "E", "SE": "S",
    # EEA, EFTA, UK and European neighbours
    "IS": "IS", "LI": "FL", "NO": "N", "CH": "CH", "GB": "GB", "MC": "MC", "SM": "RSM", "VA": "VAT",
    "AD": "AND", "GI": "GIB", "FO": "FRO", "GL": "GRO", "AL": "AL", "BA": "BA", "MK": "MK", "RS": "SRB",
    "MD": "MD", "UA": "UA", "BY": "BY", "RU": "RUS", "TR": "TR", "GE": "GE", "AM": "AM", "AZ": "AZ",
    # French overseas departments (outside ISO's FR)
    "GF": "GF", "GP": "GP", "MQ": "MQ", "RE": "REU", "YT": "MYT",
    # Elsewhere
    "US": "USA", "CA": "CDN", "MX": "MEX", "BR": "BR", "AR": "RA", "CL": "RCH", "AU": "AUS", "NZ": "NZ",
    "JP": "J", "CN": "CN", "HK": "HK", "TW": "RC", "KR": "ROK", "SG": "SGP", "MY": "MAL", "TH": "T",
    "IN": "IND", "ID": "RI", "PH": "RP", "VN": "VN", "IL": "IL", "AE": "AE", "SA": "AS", "QA": "QA",
    "EG": "ET", "MA": "MA", "ZA": "ZA", "SR": "SME",
}  # fmt: skip


def iso_to_afas() -> dict[str, str]:
    """ISO alpha-2 (upper case) → AFAS country code, for the countries listed in ``ISO_TO_AFAS``."""
    return dict(ISO_TO_AFAS)
